-- bot.write_verifications: the one writer of verification_log for
-- decisions. A decision does not write its membership checks; it returns
-- them as its plan's "verifications" ([{user_id, group_id, channel_id,
-- status, latency_ms, cached, error_type}], bot.enforce and
-- bot.on_join_request; bot.merge_plans and bot.decide pass them up). The
-- entry points (bot.handle_updates, bot.resume_updates, bot.resume_reverify)
-- hand their plans here: every row of every plan goes in with ONE insert,
-- so the statement-level rollup and realtime triggers on verification_log
-- fire once per batch, not once per update (per update they cut the
-- cache-hit path from ~1,950 to ~650 updates/s, `just bench-bot` on the
-- project machine), and none when no plan has a row. Returns the plans
-- without the key: the plan handed to the bridge (gobridge/plan) never
-- carries it.
create function bot.write_verifications(p_plans jsonb) returns jsonb
language plpgsql as $$
begin
    if not exists (select from jsonb_array_elements(p_plans) p where jsonb_typeof(p->'verifications') = 'array') then
        return p_plans;
    end if;
    insert into nezuko.verification_log (user_id, group_id, channel_id, status, latency_ms, cached, error_type)
    select v.user_id, v.group_id, v.channel_id, v.status, v.latency_ms, v.cached, v.error_type
    from jsonb_array_elements(p_plans) p,
         jsonb_to_recordset(case when jsonb_typeof(p->'verifications') = 'array' then p->'verifications' end)
             as v(user_id bigint, group_id bigint, channel_id bigint, status text, latency_ms integer,
                  cached boolean, error_type text);
    return (select jsonb_agg(p - 'verifications' order by i) from jsonb_array_elements(p_plans) with ordinality x(p, i));
end
$$;
grant execute on function bot.write_verifications(jsonb) to nezuko_bridge;
