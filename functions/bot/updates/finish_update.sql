-- bot.finish_update: the finish step of a plan run synchronously by the
-- executor (the command queue's re-verify, bot.resume_reverify): marks the
-- update processed when the state names one, and applies each call's
-- answer to the member's state exactly as an effect's answer is applied
-- (bot.apply_outcome). Updates from Telegram never come here: their calls
-- are effects (bot.decide).
create function bot.finish_update(p_bot bigint, p_state jsonb, p_results jsonb) returns void
language plpgsql as $$
declare
    r jsonb;
    res jsonb;
begin
    if p_state ? 'update_id' then
        insert into nezuko.processed_updates (bot_instance_id, update_id)
        values (p_bot, (p_state->>'update_id')::bigint) on conflict do nothing;
    end if;
    for r in select x from jsonb_array_elements(coalesce(p_state->'record', '[]')) x loop
        res := p_results->((r->>'call')::int);
        continue when res is null;
        perform bot.apply_outcome(p_bot, jsonb_build_array(r - 'call'), res);
    end loop;
end
$$;
grant execute on function bot.finish_update(bigint, jsonb, jsonb) to nezuko_bridge;
