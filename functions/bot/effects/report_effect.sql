-- bot.report_effect: Telegram's answer to effect p_id, from the executor
-- that holds it. p_result is the call's result ({ok, result, error_code,
-- description, error_type, retry_after}). The answer decides:
--   ok                       → done; its outcome moves the member's state;
--   429 (too_many_requests)  → pending again after retry_after; never
--                              dropped, the attempt not counted;
--   5xx, timeout, network    → pending again after a backoff with jitter
--                              (2^attempt / 4 s, at most 60 s, ± 25 %), until
--                              effect_max_attempts;
--   anything else, or out of attempts → failed: its outcome applied as a
--                              failure, and an admin log (an event) says so.
-- Returns the next due effect of the same chat, already claimed for
-- p_worker (so a chat drains without a claim round trip per call), or no
-- row. Returns no row either when p_worker no longer holds p_id.
-- Plans that hold when the outbox fills: sequential scans are off while its
-- statements are planned (bot.claim_effects says why), and rows are found
-- by id alone, their status checked here, since `id = $1 and status = ...`
-- lets a plan cached on an empty outbox read the whole lane index (its
-- partial predicate is implied) instead of the primary key: 4.7 ms a
-- lookup at 20,000 pending effects (auto_explain).
create function bot.report_effect(p_id bigint, p_worker text, p_result jsonb)
returns table (id bigint, bot_instance_id bigint, chat_id bigint, method text, params jsonb,
               repeatable boolean, attempts integer, created_at timestamptz)
language plpgsql volatile
set enable_seqscan = off
as $$
declare
    e nezuko.bot_effects;
    v_type text := coalesce(p_result->>'error_type', case when (p_result->>'ok')::boolean then null else 'unknown' end);
    v_ok boolean := coalesce((p_result->>'ok')::boolean, false);
    v_retry_after integer := greatest(coalesce((p_result->>'retry_after')::integer, 1), 1);
    v_transient boolean;
    v_next bigint;
    v_due boolean;
begin
    select * into e from nezuko.bot_effects x where x.id = p_id for update;
    if not found or e.status <> 'running' or e.lease_owner is distinct from p_worker then
        return;
    end if;
    if e.repeatable then
        -- An idempotent call's answer commits asynchronously: lost in a
        -- PostgreSQL crash, the effect is called again once its lease
        -- expires, which Telegram treats as the same call. A send's answer
        -- (its message id) is always flushed.
        perform set_config('synchronous_commit', 'off', true);
    end if;
    v_transient := v_type in ('too_many_requests', 'server_error', 'timeout', 'network');
    if v_ok then
        update nezuko.bot_effects x
        set status = 'done', finished_at = now(), result = p_result->'result', lease_owner = null,
            lease_expires_at = null, error_type = null, error_code = null, description = null
        where x.id = p_id;
        perform bot.apply_outcome(e.bot_instance_id, e.outcome, p_result);
    elsif v_type = 'too_many_requests' then
        update nezuko.bot_effects x
        set status = 'pending', attempts = greatest(x.attempts - 1, 0), lease_owner = null, lease_expires_at = null,
            calling_at = null, run_after = now() + make_interval(secs => v_retry_after),
            error_type = v_type, error_code = 429, description = left(p_result->>'description', 500)
        where x.id = p_id;
        perform pg_notify('nezuko_effects', e.bot_instance_id::text);
        return; -- the chat waits for its retry_after: nothing more from it now
    elsif v_transient and e.attempts < e.max_attempts then
        update nezuko.bot_effects x
        set status = 'pending', lease_owner = null, lease_expires_at = null, calling_at = null,
            run_after = now() + make_interval(secs => least(60, 0.25 * 2 ^ e.attempts) * (0.75 + random() / 2)),
            error_type = v_type, error_code = (p_result->>'error_code')::integer,
            description = left(p_result->>'description', 500)
        where x.id = p_id;
        perform pg_notify('nezuko_effects', e.bot_instance_id::text);
        return;
    else
        update nezuko.bot_effects x
        set status = 'failed', finished_at = now(), lease_owner = null, lease_expires_at = null,
            error_type = v_type, error_code = (p_result->>'error_code')::integer,
            description = left(p_result->>'description', 500)
        where x.id = p_id;
        perform bot.apply_outcome(e.bot_instance_id, e.outcome, p_result);
        if v_transient then
            -- Out of retries: only this function knows (a refusal's health is
            -- noted from api_call_log, bot.log_api_calls).
            perform bot.note_group_health(e.bot_instance_id, e.chat_id, e.method, p_result);
        end if;
        -- Expected refusals (a message already gone, a callback too old) are
        -- not worth an alarm; anything else is.
        if v_type not in ('message_not_found', 'query_too_old') then
            insert into nezuko.admin_logs (level, logger, message, attributes, bot_instance_id)
            values (case when v_transient then 'ERROR' else 'WARNING' end, 'effects',
                    format('%s in chat %s failed: %s', e.method, e.chat_id,
                           coalesce(p_result->>'description', v_type)),
                    jsonb_build_object('effect_id', e.id, 'method', e.method, 'chat_id', e.chat_id,
                                       'error_type', v_type, 'attempts', e.attempts, 'source', e.source),
                    e.bot_instance_id);
        end if;
    end if;
    -- The chat's next effect, claimed for the same worker when due (calls
    -- into no chat have no order: the claim loop takes them).
    if e.chat_id = 0 then
        return;
    end if;
    select y.id into v_next from nezuko.bot_effects y
    where y.bot_instance_id = e.bot_instance_id and y.chat_id = e.chat_id and y.status in ('pending', 'running')
    order by y.bot_instance_id, y.chat_id, y.id limit 1; -- the lane index's order
    select x.status = 'pending' and x.run_after <= now() into v_due
    from nezuko.bot_effects x where x.id = v_next for update;
    if not coalesce(v_due, false) then
        return;
    end if;
    return query
    update nezuko.bot_effects x
    set status = 'running', attempts = x.attempts + 1, lease_owner = p_worker, calling_at = null,
        lease_expires_at = now() + make_interval(secs => bot.config_int('effect_lease_seconds', 30))
    where x.id = v_next
    returning x.id, x.bot_instance_id, x.chat_id, x.method, x.params, x.repeatable, x.attempts, x.created_at;
end
$$;
comment on function bot.report_effect(bigint, text, jsonb) is
    'Record Telegram''s answer to an effect (done, retry after 429/5xx, or failed) and apply its outcome; returns the chat''s next due effect, claimed for the same worker.';
grant execute on function bot.report_effect(bigint, text, jsonb) to nezuko_bridge;
