-- bot.due_deletions: this bot's messages whose auto-delete time has come
-- become deleteMessage effects (their chat's lane, due now); returns how
-- many. The bridge asks every second for the bots whose effects it runs.
-- A prompt among them is forgotten by its group_restrictions row, so the
-- member's next message posts it again (bot.enforce).
create function bot.due_deletions(p_bot bigint, p_limit integer default 100) returns integer
language sql as $$
    with due as (
        delete from nezuko.bot_scheduled_deletions d
        where (d.chat_id, d.message_id) in (
            select chat_id, message_id from nezuko.bot_scheduled_deletions
            where bot_instance_id = p_bot and delete_at <= now()
            order by delete_at limit p_limit for update skip locked)
        returning d.chat_id, d.message_id
    ), forgotten as (
        -- An auto-deleted prompt is gone: the member's next message posts
        -- it again (after prompt_repeat_seconds), see bot.enforce.
        update nezuko.group_restrictions gr set prompt_message_id = null
        from due where gr.group_id = due.chat_id and gr.prompt_message_id = due.message_id
    )
    select coalesce(sum(bot.enqueue_effects(p_bot, jsonb_build_object('calls', jsonb_build_array(
        jsonb_build_object('method', 'deleteMessage',
                           'params', jsonb_build_object('chat_id', chat_id, 'message_id', message_id)))), 'deletion')), 0)::integer
    from due
$$;
grant execute on function bot.due_deletions(bigint, integer) to nezuko_bridge;
