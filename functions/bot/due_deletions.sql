-- bot.due_deletions: claims this bot's messages whose auto-delete time has
-- come and returns the plan that deletes them; a prompt among them is
-- forgotten by its group_restrictions row.
create function bot.due_deletions(p_bot bigint, p_limit integer default 100) returns jsonb
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
    select case when count(*) = 0 then '{}'::jsonb else jsonb_build_object('calls', jsonb_agg(
        jsonb_build_object('method', 'deleteMessage', 'optional', true,
                           'params', jsonb_build_object('chat_id', chat_id, 'message_id', message_id)))) end
    from due
$$;
grant execute on function bot.due_deletions(bigint, integer) to nezuko_bridge;
