-- bot.handle_updates: bot.handle_update for a whole getUpdates batch in one
-- round trip and one commit (commits, not SQL, bound the single-update path:
-- ~2.4 ms per synchronous commit on the project machine). Updates are
-- decided in update_id order. No subtransaction per update (it doubled the
-- cost): one malformed update fails the batch, and the bridge then hands
-- the updates over one by one (bot.handle_update), skipping the bad one.
-- Returns one plan per update, in order.
create function bot.handle_updates(p_bot bigint, p_updates jsonb) returns jsonb
language plpgsql as $$
declare
    u jsonb;
    v_out jsonb := '[]';
    v_plan jsonb;
begin
    perform bot.begin_verifications();
    if jsonb_typeof(p_updates) is distinct from 'array' then
        raise exception 'bot.handle_updates wants a JSON array of updates' using errcode = '22023';
    end if;
    for u in select x from jsonb_array_elements(p_updates) x loop
        v_plan := bot.handle_update(p_bot, u);
        v_out := v_out || jsonb_build_array(v_plan);
    end loop;
    perform bot.flush_verifications();
    return v_out;
end
$$;
grant execute on function bot.handle_updates(bigint, jsonb) to nezuko_bridge;
