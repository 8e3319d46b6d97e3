-- bot.reverify: the plan for "re-verify a user and unmute them if
-- subscribed" (the command queue's unmute_user): every linked channel is
-- checked fresh, then the user is released (unmuted back to the group's
-- default permissions, prompt deleted) when subscribed. Only a restriction
-- this bot made is lifted. Run it with the executor's Run.
create function bot.reverify(p_bot bigint, p_group bigint, p_user bigint) returns jsonb
language sql as $$
    select bot.resume_reverify(p_bot, jsonb_build_object('group_id', p_group, 'user_id', p_user, 'answers', '[]'::jsonb), null)
$$;
grant execute on function bot.reverify(bigint, bigint, bigint) to nezuko_bridge;
