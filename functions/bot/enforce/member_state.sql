-- bot.member_state: what is known of user p_user in chat p_chat: Telegram's
-- answer in this round, else (unless p_fresh) an unexpired cache entry.
-- Returns {"s": status, "m": subscribed, "cached": bool, "latency": ms},
-- {"error": type} when Telegram could not answer, or {"unknown": true}
-- when a check is needed.
create function bot.member_state(p_chat bigint, p_user bigint, p_answers jsonb, p_fresh boolean) returns jsonb
language plpgsql stable as $$
declare
    a jsonb;
    c nezuko.membership_cache;
begin
    a := bot.answer_for(p_answers, 'getChatMember', p_chat, p_user);
    if a is not null then
        -- "user not found": Telegram does not know the user in this chat, so not a member.
        if a->>'error_type' = 'user_not_found' then
            return jsonb_build_object('s', 'left', 'm', false, 'cached', false, 'latency', coalesce((a->>'latency_ms')::int, 0));
        elsif coalesce(a->>'error_type', a->>'error') is not null then
            return jsonb_build_object('error', coalesce(a->>'error_type', 'unknown'), 'latency', coalesce((a->>'latency_ms')::int, 0));
        end if;
        return jsonb_build_object('s', a->>'status', 'm', bot.is_subscribed(a->>'status', (a->>'is_member')::boolean),
                                  'cached', false, 'latency', coalesce((a->>'latency_ms')::int, 0));
    end if;
    if p_fresh then
        return '{"unknown": true}';
    end if;
    select * into c from nezuko.membership_cache
    where channel_id = p_chat and user_id = p_user and expires_at > now();
    if found and c.error_type is not null then
        return jsonb_build_object('error', c.error_type, 'cached', true, 'latency', 0);
    elsif found then
        return jsonb_build_object('s', c.member_status, 'm', c.is_member, 'cached', true, 'latency', 0);
    end if;
    return '{"unknown": true}';
end
$$;
grant execute on function bot.member_state(bigint, bigint, jsonb, boolean) to nezuko_bridge;
