-- bot.begin_verifications: start collecting this transaction's
-- verification_log rows (see bot.record_verification); the caller must end
-- with bot.flush_verifications in the same transaction. The temp table is
-- made once per connection and empties itself at commit or rollback.
create function bot.begin_verifications() returns void
language plpgsql as $$
begin
    if to_regclass('pg_temp.nezuko_verification_batch') is null then
        create temp table nezuko_verification_batch (
            user_id bigint not null, group_id bigint, channel_id bigint, status text not null,
            latency_ms integer not null, cached boolean not null, error_type text
        ) on commit delete rows;
    end if;
    perform set_config('nezuko.verification_batch', 'on', true);
end
$$;
grant execute on function bot.begin_verifications() to nezuko_bridge;
