-- bot.record_verification: one verification_log row for a decision.
-- Inside a batch (bot.handle_updates, bot.resume_updates) the row waits in a
-- transaction-local temp table and bot.flush_verifications writes the whole
-- batch with ONE insert: the statement-level rollup and realtime triggers
-- on verification_log then fire once per batch, not once per update (per
-- update they cut the cache-hit path from ~1,950 to ~650 updates/s,
-- `just bench-bot` on the project machine). Outside a batch it inserts at once.
create function bot.record_verification(p_user bigint, p_group bigint, p_channel bigint, p_status text,
                                        p_latency_ms integer, p_cached boolean, p_error_type text)
returns void
language plpgsql as $$
begin
    if current_setting('nezuko.verification_batch', true) = 'on' then
        insert into pg_temp.nezuko_verification_batch (user_id, group_id, channel_id, status, latency_ms, cached, error_type)
        values (p_user, p_group, p_channel, p_status, p_latency_ms, p_cached, p_error_type);
    else
        insert into nezuko.verification_log (user_id, group_id, channel_id, status, latency_ms, cached, error_type)
        values (p_user, p_group, p_channel, p_status, p_latency_ms, p_cached, p_error_type);
    end if;
end
$$;
grant execute on function bot.record_verification(bigint, bigint, bigint, text, integer, boolean, text) to nezuko_bridge;
