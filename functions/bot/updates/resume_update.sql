-- bot.resume_update: the executor's answers to an update's checks: they are
-- stored (cache, health) and the update decided again with every answer so far.
create function bot.resume_update(p_bot bigint, p_state jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
begin
    perform bot.store_answers(p_answers);
    return bot.decide(p_bot, p_state->'update', coalesce(p_state->'answers', '[]') || coalesce(p_answers, '[]'));
end
$$;
grant execute on function bot.resume_update(bigint, jsonb, jsonb) to nezuko_bridge;
