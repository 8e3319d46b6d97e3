-- bot.report_effects: many answers in one transaction (the executor's
-- group commit). p_answers is [{"id": effect id, "result": {…}}, …], each
-- answered by p_worker; every answer is recorded exactly as
-- bot.report_effect records it alone, in the order given. Returns, per
-- answer whose chat has a next due effect, that effect (claimed for
-- p_worker) beside the id it follows (answered_id).
--
-- Why: at a few hundred answers a second a transaction per answer was most
-- of the executor's database cost (a round trip, a commit, a function
-- entry each); the lanes' answers that arrive together now share one.
--
-- Durability is that of the strictest answer: report_effect lets an
-- idempotent call's answer commit asynchronously, so when the batch holds
-- a send's answer (its message id must survive a crash) the session's
-- synchronous_commit is put back before commit.
create function bot.report_effects(p_worker text, p_answers jsonb)
returns table (answered_id bigint, id bigint, bot_instance_id bigint, chat_id bigint, method text,
               params jsonb, repeatable boolean, attempts integer, created_at timestamptz)
language plpgsql volatile
set enable_seqscan = off -- bot.claim_effects says why
as $$
declare
    v_sync text := current_setting('synchronous_commit');
    v_send boolean;
    a jsonb;
begin
    if jsonb_typeof(p_answers) is distinct from 'array' then
        raise exception 'report_effects: p_answers must be a JSON array of {id, result}'
            using errcode = '22023';
    end if;
    select exists (select from nezuko.bot_effects x
                   where x.id = any (array(select (v->>'id')::bigint from jsonb_array_elements(p_answers) v))
                     and not x.repeatable)
    into v_send;
    for a in select v from jsonb_array_elements(p_answers) v loop
        answered_id := (a->>'id')::bigint;
        for id, bot_instance_id, chat_id, method, params, repeatable, attempts, created_at in
            select * from bot.report_effect(answered_id, p_worker, a->'result')
        loop
            return next;
        end loop;
    end loop;
    if v_send then
        perform set_config('synchronous_commit', v_sync, true);
    end if;
end
$$;
comment on function bot.report_effects(text, jsonb) is
    'Record many answers at once ([{id, result}]), each as bot.report_effect does; returns each chat''s next due effect, claimed, beside the answer it follows.';
grant execute on function bot.report_effects(text, jsonb) to nezuko_bridge;
