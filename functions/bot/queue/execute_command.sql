-- bot.execute_command: run a command that needs no bot (clear_cache) in SQL
-- and complete it in the same transaction. Returns the new status (null
-- when p_worker no longer holds the lease or, with p_started_at, the attempt
-- that started then: see bot.claim_commands).
create function bot.execute_command(p_id bigint, p_worker text, p_started_at timestamptz default null) returns text
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    c nezuko.admin_commands;
    n bigint;
begin
    select * into c from nezuko.admin_commands
    where id = p_id and status = 'running' and lease_owner = p_worker
      and (p_started_at is null or started_at = p_started_at);
    if not found then
        return null;
    end if;
    if c.command_type = 'clear_cache' then
        n := bot.clear_membership_cache((c.payload ->> 'user_id')::bigint, (c.payload ->> 'group_id')::bigint,
                                        (c.payload ->> 'channel_id')::bigint, coalesce((c.payload ->> 'all')::boolean, false));
        return bot.complete_command(p_id, p_worker, jsonb_build_object('deleted', n), p_started_at);
    end if;
    return bot.fail_command(p_id, p_worker, 'command type ' || c.command_type || ' does not run in SQL', false,
                            null, null, p_started_at);
end
$$;
comment on function bot.execute_command(bigint, text, timestamptz) is
    'Execute a SQL-only command (clear_cache) and complete it; returns the new status.';
grant execute on function bot.execute_command(bigint, text, timestamptz) to nezuko_bridge;
