-- bot.note_group_health: the one place a Bot API answer moves a protected
-- group's health. A call into the group answered "not enough rights" (or
-- the bot is no longer there, or the group is gone): the health turns to
-- error naming the administrator right the bot lacks, so /status and the
-- dashboard say why mutes or deletions fail (and a WARNING log, an event,
-- says so once). A call that failed for good after its retries (5xx,
-- timeouts) turns it to warning. A later success of the same kind of call
-- clears either. Callers: bot.log_api_calls for every call's answer (effects,
-- commands, checks), bot.report_effect when an effect's retries run out.
create function bot.note_group_health(p_bot bigint, p_chat bigint, p_method text, p_result jsonb) returns void
language plpgsql as $$
declare
    v_type text := p_result->>'error_type';
    v_right text := case
        when p_method in ('restrictChatMember', 'banChatMember', 'unbanChatMember', 'banChatSenderChat',
                          'unbanChatSenderChat') then 'Ban users'
        when p_method = 'deleteMessage' then 'Delete messages'
        when p_method in ('approveChatJoinRequest', 'declineChatJoinRequest') then 'Add members'
        when p_method ~ '^send' then 'Send messages'
    end;
    v_reason text;
begin
    if p_chat is null or p_chat >= 0 then
        return;
    end if;
    if v_right is null and not coalesce(v_type in ('server_error', 'timeout', 'network', 'bot_kicked', 'bot_not_member', 'chat_not_found'), false) then
        return;
    end if;
    if coalesce((p_result->>'ok')::boolean, false) then
        update nezuko.protected_groups
        set health = 'ok', health_reason = null
        where group_id = p_chat and bot_instance_id = p_bot and health <> 'ok'
          and (health_reason like format('the bot lacks the right "%s"%%', v_right)
               or health_reason like format('Telegram kept failing: %s %%', p_method));
        return;
    end if;
    v_reason := case
        when v_type in ('server_error', 'timeout', 'network') then
            -- Retries ran out (bot.report_effect fails it only then).
            format('Telegram kept failing: %s failed after its retries (%s)', p_method,
                   coalesce(p_result->>'description', v_type))
        when v_type = 'not_enough_rights' then
            format('the bot lacks the right "%s" in this group: %s fails (%s)', v_right, p_method,
                   coalesce(p_result->>'description', v_type))
        when v_type = 'bot_kicked' then 'the bot was kicked from this group'
        when v_type = 'bot_not_member' then 'the bot is not a member of this group'
        when v_type = 'chat_not_found' then 'Telegram does not know this group any more (deleted or migrated?)'
    end;
    if v_reason is null then
        return;
    end if;
    update nezuko.protected_groups
    set health = case when v_type in ('server_error', 'timeout', 'network') then 'warning' else 'error' end,
        health_reason = left(v_reason, 500)
    where group_id = p_chat and bot_instance_id = p_bot
      and health_reason is distinct from left(v_reason, 500)
      -- a warning never hides an error
      and not (health = 'error' and v_type in ('server_error', 'timeout', 'network'));
    if found then
        insert into nezuko.admin_logs (level, logger, message, attributes, bot_instance_id)
        values ('WARNING', 'bot', 'Bot API call failed in a protected group: ' || v_type,
                jsonb_build_object('group_id', p_chat, 'method', p_method, 'error_type', v_type,
                                   'description', p_result->>'description', 'health_reason', left(v_reason, 500)), p_bot);
    end if;
end
$$;
comment on function bot.note_group_health(bigint, bigint, text, jsonb) is
    'Group health from an effect''s answer: error naming the missing administrator right, warning when Telegram kept failing; cleared by a later success.';
grant execute on function bot.note_group_health(bigint, bigint, text, jsonb) to nezuko_bridge;
