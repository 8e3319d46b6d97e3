-- bot.rescue_expired_commands: commands whose worker vanished (its lease
-- expired) are settled. An attempt that never reached Telegram
-- (dispatched_at null), or whose command may repeat
-- (command_types.repeatable), goes back to pending at once, or to failed
-- when that attempt was the last. An attempt of a command that may not
-- repeat (send_message) that was handed to Telegram has an unknown outcome:
-- the command ends as 'unknown' rather than risk a second message (the
-- worker that made the attempt may still report it, see
-- bot.complete_command). The lost attempt counts (it was counted at the
-- claim). Returns how many were rescued. Any worker may run it; SKIP LOCKED
-- keeps two rescuers from fighting over a row.
create function bot.rescue_expired_commands() returns integer
language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
    with expired as (
        select c.id, c.dispatched_at is not null and not t.repeatable as unknown
        from nezuko.admin_commands c
        join nezuko.command_types t on t.name = c.command_type
        where c.status = 'running' and c.lease_expires_at < now()
        for update of c skip locked
    ), rescued as (
        update nezuko.admin_commands c
        set status = case when expired.unknown then 'unknown'
                          when c.attempts >= c.max_attempts then 'failed' else 'pending' end,
            finished_at = case when expired.unknown or c.attempts >= c.max_attempts then now() end,
            run_after = case when expired.unknown then c.run_after else now() end,
            error = case when expired.unknown
                then 'outcome unknown: worker ' || coalesce(c.lease_owner, '?')
                     || ' stopped answering after handing the command to Telegram; not re-run, since '
                     || c.command_type || ' may not repeat'
                else 'lease expired: worker ' || coalesce(c.lease_owner, '?') || ' stopped answering' end,
            -- An unknown command keeps its last worker, which may still settle it.
            lease_owner = case when expired.unknown then c.lease_owner end,
            lease_expires_at = null,
            dispatched_at = case when expired.unknown then c.dispatched_at end
        from expired
        where c.id = expired.id
        returning 1
    )
    select count(*)::integer from rescued
$$;
comment on function bot.rescue_expired_commands() is
    'Settle commands with an expired lease: back to pending (or failed after their last attempt), or unknown when the attempt reached Telegram and the type may not repeat; returns how many.';
grant execute on function bot.rescue_expired_commands() to nezuko_bridge;
