-- bot.answer_for: the executor's answer to one check (getChatMember of a
-- user in a chat, or getChat of a chat when p_user is null), or null.
create function bot.answer_for(p_answers jsonb, p_method text, p_chat bigint, p_user bigint) returns jsonb
language sql immutable parallel safe as $$
    select a from jsonb_array_elements(case when jsonb_typeof(p_answers) = 'array' then p_answers else '[]' end) a
    where coalesce(a->>'method', 'getChatMember') = p_method
      and (a->>'chat_id')::bigint = p_chat
      and (p_user is null or (a->>'user_id')::bigint = p_user)
    limit 1
$$;
grant execute on function bot.answer_for(jsonb, text, bigint, bigint) to nezuko_bridge;
