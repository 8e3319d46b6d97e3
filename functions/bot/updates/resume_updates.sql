-- bot.resume_updates: bot.resume_update for many updates of one batch at
-- once ([{state, answers}] in, one plan per item out): the cache-miss path
-- then costs one commit per batch instead of one per update.
create function bot.resume_updates(p_bot bigint, p_items jsonb) returns jsonb
language plpgsql as $$
declare
    it jsonb;
    v_out jsonb := '[]';
begin
    perform bot.begin_verifications();
    for it in select x from jsonb_array_elements(p_items) x loop
        v_out := v_out || jsonb_build_array(bot.resume_update(p_bot, it->'state', it->'answers'));
    end loop;
    perform bot.flush_verifications();
    return v_out;
end
$$;
grant execute on function bot.resume_updates(bigint, jsonb) to nezuko_bridge;
