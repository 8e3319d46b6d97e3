-- bot.user_language: the language to speak to Telegram user p_user (a User
-- object): their language_code (region dropped: pt-br is pt) when the bot
-- has a complete text set for it, else p_fallback.
create function bot.user_language(p_user jsonb, p_fallback text default 'en') returns text
language sql stable as $$
    select case when l = any (nezuko.text_languages()) then l else coalesce(p_fallback, 'en') end
    from (select lower(split_part(coalesce(p_user->>'language_code', ''), '-', 1)) as l) t
$$;
grant execute on function bot.user_language(jsonb, text) to nezuko_bridge;
