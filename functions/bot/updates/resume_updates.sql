-- bot.resume_updates: the executor's answers to the checks of many updates
-- of one batch at once ([{state, answers}] in, one plan per item out): each
-- item's answers are stored (cache, health) and its update decided again
-- with every answer so far. The cache-miss path then costs one commit per
-- batch instead of one per update, and the decisions' verification rows
-- one insert (bot.write_verifications).
create function bot.resume_updates(p_bot bigint, p_items jsonb) returns jsonb
language plpgsql as $$
declare
    it jsonb;
    v_answers jsonb;
    v_out jsonb[] := '{}'; -- appended in place: a jsonb array would be copied per update
begin
    for it in select x from jsonb_array_elements(p_items) x loop
        v_answers := nullif(it->'answers', 'null');
        perform bot.store_answers(v_answers);
        v_out := array_append(v_out, bot.decide(p_bot, it->'state'->'update',
            coalesce(it->'state'->'answers', '[]') || coalesce(v_answers, '[]')));
    end loop;
    return bot.write_verifications(to_jsonb(v_out));
end
$$;
grant execute on function bot.resume_updates(bigint, jsonb) to nezuko_bridge;
