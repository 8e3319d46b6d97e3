-- bot.resume_update: the executor's answers to one update's checks, as a
-- batch of one (bot.resume_updates: answers stored, the update decided
-- again with every answer so far, its verification rows written in this
-- call).
create function bot.resume_update(p_bot bigint, p_state jsonb, p_answers jsonb) returns jsonb
language sql as $$
    select bot.resume_updates(p_bot, jsonb_build_array(jsonb_build_object('state', p_state, 'answers', p_answers)))->0
$$;
grant execute on function bot.resume_update(bigint, jsonb, jsonb) to nezuko_bridge;
