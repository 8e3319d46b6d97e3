-- bot.prune_logs_batch: one batch of the prune_logs command p_id, which
-- p_worker must hold: deletes up to log_prune_batch_rows rows older than
-- log_retention_days from each of verification_log, api_call_log and
-- admin_logs, and up to as many finished admin_commands (completed, failed,
-- cancelled, unknown) that finished before that cutoff, and returns how
-- many. The worker calls it until all four are 0, each call its own short
-- transaction. Pending and running commands are never touched (nor the
-- command p_id itself, which is running).
--
-- The rows are found through the indexes on timestamp (sql/011) and deleted by
-- ctid. nezuko.retention = on (this transaction only) tells the analytics
-- rollup triggers that this DELETE is retention: the rollups keep the
-- aggregates of the pruned rows (a DBA's own DELETE still subtracts them).
-- Raises 55000 when p_worker no longer holds the command (lease lost) or,
-- with p_started_at, the attempt that started then (bot.claim_commands).
create function bot.prune_logs_batch(p_id bigint, p_worker text, p_started_at timestamptz default null)
returns table (verification_log bigint, api_call_log bigint, admin_logs bigint, admin_commands bigint)
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_cutoff timestamptz := now() - make_interval(days => bot.config_int('log_retention_days', 90));
    v_batch integer := bot.config_int('log_prune_batch_rows', 5000);
    v_ver bigint;
    v_api bigint;
    v_adm bigint;
    v_cmd bigint;
begin
    perform 1 from nezuko.admin_commands
    where id = p_id and command_type = 'prune_logs' and status = 'running' and lease_owner = p_worker
      and (p_started_at is null or started_at = p_started_at);
    if not found then
        raise exception 'prune_logs command % is not held by worker %', p_id, p_worker using errcode = '55000';
    end if;
    perform set_config('nezuko.retention', 'on', true);
    delete from nezuko.verification_log where ctid = any (array(
        select l.ctid from nezuko.verification_log l where l.timestamp < v_cutoff limit v_batch));
    get diagnostics v_ver = row_count;
    delete from nezuko.api_call_log where ctid = any (array(
        select l.ctid from nezuko.api_call_log l where l.timestamp < v_cutoff limit v_batch));
    get diagnostics v_api = row_count;
    delete from nezuko.admin_logs where ctid = any (array(
        select l.ctid from nezuko.admin_logs l where l.timestamp < v_cutoff limit v_batch));
    get diagnostics v_adm = row_count;
    perform set_config('nezuko.retention', 'off', true);
    -- finished commands: their result was read long ago (GET /v1/commands,
    -- the commands SSE channel); admin_audit_log keeps who enqueued what.
    delete from nezuko.admin_commands where id = any (array(
        select c.id from nezuko.admin_commands c
        where c.status in ('completed', 'failed', 'cancelled', 'unknown') and c.finished_at < v_cutoff
        limit v_batch));
    get diagnostics v_cmd = row_count;
    return query select v_ver, v_api, v_adm, v_cmd;
end
$$;
comment on function bot.prune_logs_batch(bigint, text, timestamptz) is
    'One batch of prune_logs: deletes up to log_prune_batch_rows rows older than log_retention_days from each raw log (rollups keep their aggregates) and as many admin_commands finished before then; returns the counts.';
grant execute on function bot.prune_logs_batch(bigint, text, timestamptz) to nezuko_bridge;
