-- bot.handle_updates: the bridge's entry point for a whole getUpdates batch
-- of raw Telegram updates (exactly the JSON Telegram sent), in one round
-- trip and one commit (commits, not SQL, bound the single-update path:
-- ~2.4 ms per synchronous commit on the project machine). Updates are
-- decided in update_id order; a redelivered update already processed by
-- this bot is answered {"duplicate": true} (no second effect). The
-- decisions' verification rows are written together at the end
-- (bot.write_verifications: one insert per batch). Malformed input raises
-- 22023; there is no subtransaction per update (it doubled the cost), so one
-- malformed update fails the batch, and the bridge then hands the updates
-- over one by one (bot.handle_update), skipping the bad one.
-- Returns one plan (gobridge/plan) per update, in order: an empty object
-- when there is nothing to do.
create function bot.handle_updates(p_bot bigint, p_updates jsonb) returns jsonb
language plpgsql as $$
declare
    u jsonb;
    v_out jsonb[] := '{}'; -- appended in place: a jsonb array would be copied per update
    v_plan jsonb;
begin
    if jsonb_typeof(p_updates) is distinct from 'array' then
        raise exception 'bot.handle_updates wants a JSON array of updates' using errcode = '22023';
    end if;
    for u in select x from jsonb_array_elements(p_updates) x loop
        if jsonb_typeof(u) is distinct from 'object' or jsonb_typeof(u->'update_id') is distinct from 'number' then
            raise exception 'malformed update: not an object with a numeric update_id' using errcode = '22023';
        end if;
        if exists (select from nezuko.processed_updates
                   where bot_instance_id = p_bot and update_id = (u->>'update_id')::bigint) then
            v_plan := '{"duplicate": true}';
        else
            v_plan := bot.decide(p_bot, u, null);
        end if;
        v_out := array_append(v_out, v_plan);
    end loop;
    return bot.write_verifications(to_jsonb(v_out));
end
$$;
grant execute on function bot.handle_updates(bigint, jsonb) to nezuko_bridge;
