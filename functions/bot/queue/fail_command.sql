-- bot.fail_command: an attempt failed. The command goes back to pending
-- after a backoff (command_retry_backoff_seconds, doubling per attempt, capped
-- by command_retry_backoff_max_seconds) or, once max_attempts is reached or
-- the failure cannot improve with time (p_retryable false), to failed.
-- A retryable failure of an attempt that may have taken effect
-- (p_maybe_done; null: whenever the attempt was handed to Telegram, see
-- admin_commands.dispatched_at) ends a command that may not repeat
-- (command_types.repeatable false) as 'unknown' instead of retrying it: a
-- timeout after sendMessage must not send the message twice.
-- p_attempt and p_started_at (the claim's started_at), when given, name the
-- attempt the failure belongs to: a report retried after its answer was lost
-- cannot fail a later attempt, nor can the holder of a claim that a
-- PostgreSQL crash lost fail the claim made since (same attempt number).
-- Returns the new status, or null when p_worker no longer holds the lease.
-- A retry rings nezuko_commands, so a worker wakes when it is due.
create function bot.fail_command(p_id bigint, p_worker text, p_error text, p_retryable boolean default true,
                                 p_maybe_done boolean default null, p_attempt integer default null,
                                 p_started_at timestamptz default null)
returns text
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    base numeric := coalesce((select (value #>> '{}')::numeric from nezuko.admin_config
                              where key = 'command_retry_backoff_seconds'), 5);
    cap numeric := coalesce((select (value #>> '{}')::numeric from nezuko.admin_config
                             where key = 'command_retry_backoff_max_seconds'), 600);
    c nezuko.admin_commands;
    unknown boolean;
    final boolean;
    st text;
begin
    select * into c from nezuko.admin_commands
    where id = p_id and status in ('running', 'unknown') and lease_owner = p_worker
      and (p_attempt is null or attempts = p_attempt)
      and (p_started_at is null or started_at = p_started_at)
    for update;
    if not found then
        return null;
    end if;
    unknown := coalesce(p_retryable, true)
        and coalesce(p_maybe_done, c.dispatched_at is not null)
        and not (select t.repeatable from nezuko.command_types t where t.name = c.command_type);
    final := c.attempts >= c.max_attempts or not coalesce(p_retryable, true);
    update nezuko.admin_commands
    set status = case when unknown then 'unknown' when final then 'failed' else 'pending' end,
        finished_at = case when unknown or final then now() end,
        run_after = case when unknown or final then run_after
                         else now() + make_interval(secs => least(cap, base * 2 ^ least(attempts - 1, 30))::double precision) end,
        error = left(case when unknown then 'outcome unknown (not re-run, ' || command_type || ' may not repeat): ' else '' end
                     || coalesce(p_error, 'unknown error'), 2000),
        lease_owner = null, lease_expires_at = null,
        dispatched_at = case when unknown then dispatched_at end
    where id = p_id
    returning status into st;
    if st = 'pending' then
        -- Ring the doorbell as an INSERT does: workers look again and sleep
        -- until the retry is due (bot.next_command_due) rather than until
        -- their safety poll.
        perform pg_notify('nezuko_commands', '');
    end if;
    return st;
end
$$;
comment on function bot.fail_command(bigint, text, text, boolean, boolean, integer, timestamptz) is
    'Record a failed attempt: back to pending after an exponential backoff, or failed after max_attempts (or at once when not retryable), or unknown when it may have taken effect and the type may not repeat. Null when the lease was lost.';
grant execute on function bot.fail_command(bigint, text, text, boolean, boolean, integer, timestamptz) to nezuko_bridge;
