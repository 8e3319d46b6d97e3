-- bot.finish_update: after an update's calls were made: marks the update
-- processed (so a redelivery has no second effect) and records what the
-- calls returned: the prompt's message_id (deleted on unmute), a mute that
-- Telegram refused (not recorded as muted), an unmute Telegram refused
-- (the restriction put back on file), messages to auto-delete.
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
        case r->>'kind'
        when 'prompt' then
            if (res->>'ok')::boolean then
                update nezuko.group_restrictions set prompt_message_id = (res->'result'->>'message_id')::bigint
                where group_id = (r->>'group_id')::bigint and user_id = (r->>'user_id')::bigint;
            end if;
        when 'mute' then
            if not (res->>'ok')::boolean then
                update nezuko.group_restrictions set muted = false, muted_until = null
                where group_id = (r->>'group_id')::bigint and user_id = (r->>'user_id')::bigint;
            end if;
        when 'unmute' then
            -- Telegram refused the unmute: keep the user on file as muted by
            -- this bot, so the next check (button, channel join) retries.
            if not (res->>'ok')::boolean then
                insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, muted)
                values ((r->>'group_id')::bigint, (r->>'user_id')::bigint, p_bot, true)
                on conflict (group_id, user_id) do update set muted = true;
                insert into nezuko.admin_logs (level, logger, message, attributes, bot_instance_id)
                values ('ERROR', 'bot', 'unmute refused by Telegram; the user stays on file to retry',
                        jsonb_build_object('group_id', r->'group_id', 'user_id', r->'user_id',
                                           'error', res->>'description'), p_bot);
            end if;
        when 'autodelete' then
            if (res->>'ok')::boolean then
                insert into nezuko.bot_scheduled_deletions (chat_id, message_id, bot_instance_id, delete_at)
                values ((r->>'chat_id')::bigint, (res->'result'->>'message_id')::bigint, p_bot,
                        now() + make_interval(secs => (r->>'seconds')::int))
                on conflict do nothing;
            end if;
        else
            null;
        end case;
    end loop;
end
$$;
grant execute on function bot.finish_update(bigint, jsonb, jsonb) to nezuko_bridge;
