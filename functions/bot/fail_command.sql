-- bot.fail_command: an attempt failed. The command goes back to pending
-- after a backoff (command_retry_backoff_seconds, doubling per attempt, capped
-- by command_retry_backoff_max_seconds) or, once max_attempts is reached or
-- the failure cannot improve with time (p_retryable false), to failed.
-- Returns the new status, or null when p_worker no longer holds the lease.
-- A retry rings nezuko_commands, so a worker wakes when it is due.
create function bot.fail_command(p_id bigint, p_worker text, p_error text, p_retryable boolean default true)
returns text
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    base numeric := coalesce((select (value #>> '{}')::numeric from nezuko.admin_config
                              where key = 'command_retry_backoff_seconds'), 5);
    cap numeric := coalesce((select (value #>> '{}')::numeric from nezuko.admin_config
                             where key = 'command_retry_backoff_max_seconds'), 600);
    st text;
begin
    update nezuko.admin_commands c
    set status = case when c.attempts >= c.max_attempts or not p_retryable then 'failed' else 'pending' end,
        finished_at = case when c.attempts >= c.max_attempts or not p_retryable then now() end,
        run_after = case when c.attempts >= c.max_attempts or not p_retryable then c.run_after
                         else now() + make_interval(secs => least(cap, base * 2 ^ least(c.attempts - 1, 30))::double precision) end,
        error = left(coalesce(p_error, 'unknown error'), 2000),
        lease_owner = null, lease_expires_at = null
    where c.id = p_id and c.status = 'running' and c.lease_owner = p_worker
    returning c.status into st;
    if st = 'pending' then
        -- Ring the doorbell as an INSERT does: workers look again and sleep
        -- until the retry is due (bot.next_command_due) rather than until
        -- their safety poll.
        perform pg_notify('nezuko_commands', '');
    end if;
    return st;
end
$$;
comment on function bot.fail_command(bigint, text, text, boolean) is
    'Record a failed attempt: back to pending after an exponential backoff, or failed after max_attempts (or at once when not retryable). Null when the lease was lost.';
grant execute on function bot.fail_command(bigint, text, text, boolean) to nezuko_bridge;
