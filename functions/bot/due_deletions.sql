-- bot.due_deletions: this bot's messages whose auto-delete time has come
-- become deleteMessage effects (their chat's lane, due now); returns how
-- many. The bridge asks every second for the bots whose effects it runs.
create function bot.due_deletions(p_bot bigint, p_limit integer default 100) returns integer
language sql as $$
    with due as (
        delete from nezuko.bot_scheduled_deletions d
        where (d.chat_id, d.message_id) in (
            select chat_id, message_id from nezuko.bot_scheduled_deletions
            where bot_instance_id = p_bot and delete_at <= now()
            order by delete_at limit p_limit for update skip locked)
        returning d.chat_id, d.message_id
    )
    select coalesce(sum(bot.enqueue_effects(p_bot, jsonb_build_object('calls', jsonb_build_array(
        jsonb_build_object('method', 'deleteMessage',
                           'params', jsonb_build_object('chat_id', chat_id, 'message_id', message_id)))), 'deletion')), 0)::integer
    from due
$$;
grant execute on function bot.due_deletions(bigint, integer) to nezuko_bridge;
