-- bot.apply_outcome: moves a member's state once Telegram has answered a
-- call (or once the answer is known to be lost). p_outcome is the effect's
-- outcome list ([{kind, group_id, user_id, ...}]); p_result the call's
-- result ({ok, result, unknown, ...}).
--   mute       ok: confirmed (muted_at); refused: the member is not on file
--              as muted by the bot;
--   prompt     ok: the prompt's message_id is kept (deleted on release); if
--              the member was released meanwhile, the prompt is deleted at
--              once; refused: no prompt on file, so the next message prompts
--              again; unknown: nothing is posted again before
--              prompt_repeat_seconds;
--   unmute     refused: the member stays on file as muted, so the next check
--              (button, channel join) retries, and an ERROR log says so;
--   autodelete ok: the message is deleted after `seconds`.
create function bot.apply_outcome(p_bot bigint, p_outcome jsonb, p_result jsonb) returns void
language plpgsql as $$
declare
    r jsonb;
    v_ok boolean := coalesce((p_result->>'ok')::boolean, false);
    v_unknown boolean := coalesce((p_result->>'unknown')::boolean, false);
    v_group bigint;
    v_user bigint;
    v_msg bigint := (p_result->'result'->>'message_id')::bigint;
begin
    for r in select x from jsonb_array_elements(coalesce(p_outcome, '[]')) x loop
        v_group := coalesce(r->>'group_id', r->>'chat_id')::bigint;
        v_user := (r->>'user_id')::bigint;
        case r->>'kind'
        when 'mute' then
            if v_ok then
                update nezuko.group_restrictions set muted_at = now()
                where group_id = v_group and user_id = v_user and muted;
            else
                update nezuko.group_restrictions set muted = false, muted_until = null, muted_at = null
                where group_id = v_group and user_id = v_user;
            end if;
        when 'prompt' then
            if v_ok and v_msg is not null then
                update nezuko.group_restrictions set prompt_message_id = v_msg
                where group_id = v_group and user_id = v_user;
                if not found then
                    -- Released (joined the channel) before the prompt went
                    -- out: it has nothing left to say.
                    perform bot.enqueue_effects(p_bot, jsonb_build_object('calls', jsonb_build_array(
                        jsonb_build_object('method', 'deleteMessage', 'params',
                            jsonb_build_object('chat_id', v_group, 'message_id', v_msg)))), 'prompt_obsolete');
                end if;
            elsif not v_ok and not v_unknown then
                update nezuko.group_restrictions set prompted_at = null, prompt_message_id = null
                where group_id = v_group and user_id = v_user;
            end if;
        when 'unmute' then
            if not v_ok then
                insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, muted)
                values (v_group, v_user, p_bot, true)
                on conflict (group_id, user_id) do update set muted = true;
                insert into nezuko.admin_logs (level, logger, message, attributes, bot_instance_id)
                values ('ERROR', 'bot', 'unmute refused by Telegram; the user stays on file to retry',
                        jsonb_build_object('group_id', v_group, 'user_id', v_user,
                                           'error', coalesce(p_result->>'description', p_result->>'error_type')), p_bot);
            end if;
        when 'autodelete' then
            if v_ok and v_msg is not null then
                insert into nezuko.bot_scheduled_deletions (chat_id, message_id, bot_instance_id, delete_at)
                values (v_group, v_msg, p_bot, now() + make_interval(secs => (r->>'seconds')::int))
                on conflict do nothing;
            end if;
        else
            null;
        end case;
    end loop;
end
$$;
comment on function bot.apply_outcome(bigint, jsonb, jsonb) is
    'Move members'' state (muted, prompt on file, scheduled deletions) from Telegram''s answer to an effect.';
grant execute on function bot.apply_outcome(bigint, jsonb, jsonb) to nezuko_bridge;
