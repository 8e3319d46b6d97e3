-- bot.bot_token: one bot's encrypted token and mode (for a command executed
-- by a process that is not polling that bot).
create function bot.bot_token(p_bot bigint) returns text
language sql stable as $$
    select token_encrypted from nezuko.bot_instances where id = p_bot
$$;
grant execute on function bot.bot_token(bigint) to nezuko_bridge;
