-- bot.handle_update: the bridge's entry point for one raw Telegram update
-- (exactly the JSON Telegram sent). Returns a plan (gobridge/plan): an
-- empty object when there is nothing to do, including a redelivered update
-- already processed by this bot (no second effect). Malformed input raises
-- 22023: the bridge logs it and moves on.
create function bot.handle_update(p_bot bigint, p_update jsonb) returns jsonb
language plpgsql as $$
begin
    if jsonb_typeof(p_update) is distinct from 'object' or jsonb_typeof(p_update->'update_id') is distinct from 'number' then
        raise exception 'malformed update: not an object with a numeric update_id' using errcode = '22023';
    end if;
    if exists (select from nezuko.processed_updates
               where bot_instance_id = p_bot and update_id = (p_update->>'update_id')::bigint) then
        return '{"duplicate": true}';
    end if;
    return bot.decide(p_bot, p_update, null);
end
$$;
grant execute on function bot.handle_update(bigint, jsonb) to nezuko_bridge;
