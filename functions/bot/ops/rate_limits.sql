-- bot.rate_limits: the limits the executor applies in front of every call.
create function bot.rate_limits(out global_per_second integer, out per_chat_per_minute integer)
language sql stable as $$
    select bot.config_int('rate_limit_global_per_second', 30), bot.config_int('rate_limit_per_chat_per_minute', 20)
$$;
grant execute on function bot.rate_limits() to nezuko_bridge;
