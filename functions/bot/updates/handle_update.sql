-- bot.handle_update: one raw Telegram update, as a batch of one
-- (bot.handle_updates: same checks, same plan, its verification rows
-- written in this call). The bridge's path for an update on its own (a
-- webhook, or the one-by-one retry of a batch that failed).
create function bot.handle_update(p_bot bigint, p_update jsonb) returns jsonb
language sql as $$
    select bot.handle_updates(p_bot, jsonb_build_array(p_update))->0
$$;
grant execute on function bot.handle_update(bigint, jsonb) to nezuko_bridge;
