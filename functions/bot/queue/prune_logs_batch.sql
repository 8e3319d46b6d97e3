-- bot.prune_logs_batch: one batch of the prune_logs command p_id, which
-- p_worker must hold: deletes up to log_prune_batch_rows rows older than
-- log_retention_days from each of verification_log, api_call_log and
-- admin_logs, and returns how many. The worker calls it until all three
-- are 0, each call its own short transaction.
--
-- The rows are found through the BRIN indexes on timestamp and deleted by
-- ctid. nezuko.retention = on (this transaction only) tells the analytics
-- rollup triggers that this DELETE is retention: the rollups keep the
-- aggregates of the pruned rows (a DBA's own DELETE still subtracts them).
-- Raises 55000 when p_worker no longer holds the command (lease lost).
create function bot.prune_logs_batch(p_id bigint, p_worker text)
returns table (verification_log bigint, api_call_log bigint, admin_logs bigint)
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_cutoff timestamptz := now() - make_interval(days => bot.config_int('log_retention_days', 90));
    v_batch integer := bot.config_int('log_prune_batch_rows', 5000);
    v_ver bigint;
    v_api bigint;
    v_adm bigint;
begin
    perform 1 from nezuko.admin_commands
    where id = p_id and command_type = 'prune_logs' and status = 'running' and lease_owner = p_worker;
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
    return query select v_ver, v_api, v_adm;
end
$$;
comment on function bot.prune_logs_batch(bigint, text) is
    'One batch of prune_logs: deletes up to log_prune_batch_rows rows older than log_retention_days from each raw log (rollups keep their aggregates); returns the counts.';
grant execute on function bot.prune_logs_batch(bigint, text) to nezuko_bridge;
