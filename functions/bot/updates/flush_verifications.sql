-- bot.flush_verifications: write the rows bot.record_verification collected
-- since bot.begin_verifications, in one insert, and stop collecting.
create function bot.flush_verifications() returns void
language plpgsql as $$
begin
    perform set_config('nezuko.verification_batch', 'off', true);
    insert into nezuko.verification_log (user_id, group_id, channel_id, status, latency_ms, cached, error_type)
    select user_id, group_id, channel_id, status, latency_ms, cached, error_type
    from pg_temp.nezuko_verification_batch;
    delete from pg_temp.nezuko_verification_batch;
end
$$;
grant execute on function bot.flush_verifications() to nezuko_bridge;
