-- bot.group_language: the language a chat is written to in: a protected
-- group's `language` setting; for any other chat, the language of the user
-- p_user (a User object, may be null) when the bot speaks it, else English.
create function bot.group_language(p_chat bigint, p_user jsonb default null) returns text
language sql stable as $$
    select coalesce(
        (select bot.settings(g.params)->>'language' from nezuko.protected_groups g where g.group_id = p_chat),
        bot.user_language(p_user, 'en'))
$$;
grant execute on function bot.group_language(bigint, jsonb) to nezuko_bridge;
