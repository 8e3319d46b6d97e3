-- A group whose protection is turned off, by whatever path (the API's
-- update_group, /unprotect, a DBA's UPDATE), releases everyone the bot
-- restricted there: unmuted back to the group's default permissions and
-- its prompts deleted, as durable effects written in the same transaction
-- (bot.release_group, bot.enqueue_effects). /unprotect has released them
-- in its own decision already, so nothing is left to do twice.
create function triggers.release_disabled_group() returns trigger
language plpgsql as $$
begin
    if new.bot_instance_id is not null then
        perform bot.enqueue_effects(new.bot_instance_id, bot.release_group(new.bot_instance_id, new.group_id),
                                    'group_disabled:' || new.group_id);
    end if;
    return null;
end
$$;
create trigger release_disabled_group after update of enabled on nezuko.protected_groups
    for each row when (old.enabled and not new.enabled) execute function triggers.release_disabled_group();
