-- A channel linked to a group (through the API, /protect or a DBA's INSERT)
-- that was never synced gets a sync_channel command at once: its title,
-- username and invite link come from Telegram, so the prompt's join button
-- works from the first non-subscriber on.
create function triggers.sync_linked_channel() returns trigger
language plpgsql as $$
begin
    insert into nezuko.admin_commands (command_type, payload, max_attempts)
    select 'sync_channel', jsonb_build_object('channel_id', c.channel_id), 5
    from (select distinct channel_id from new_links) n
    join nezuko.enforced_channels c using (channel_id)
    where c.last_synced_at is null
      and not exists (select from nezuko.admin_commands a
                      where a.command_type = 'sync_channel' and a.status in ('pending', 'running')
                        and a.payload->>'channel_id' = c.channel_id::text);
    return null;
end
$$;
create trigger sync_linked_channel after insert on nezuko.group_channel_links
    referencing new table as new_links for each statement execute function triggers.sync_linked_channel();
