-- Enforcement decisions in SQL: a raw update in, a plan out.
begin;
select plan(17);

insert into nezuko.bot_instances (id, bot_user_id, username, token_encrypted, token_sha256)
overriding system value values (1, 99, 'tbot', 'sealed', sha256('t'));
insert into nezuko.enforced_channels (channel_id, username, title) values (-1001, 'chan_a', 'Channel A'), (-1002, 'chan_b', 'Channel B');
insert into nezuko.protected_groups (group_id, bot_instance_id, title, params) values (-500, 1, 'G', '{"mode": "both"}');
insert into nezuko.group_channel_links values (-500, -1001), (-500, -1002);

create temp table u as select
    '{"update_id": 10, "message": {"message_id": 7, "text": "hi", "chat": {"id": -500, "type": "supergroup"},
      "from": {"id": 42, "is_bot": false, "first_name": "<Eve>"}}}'::jsonb as j;

select is(bot.settings('{"mode": "delete"}')->>'mode', 'delete', 'params override the defaults');
select is(bot.settings('{}')->>'fail_mode', 'open', 'fail_mode defaults to open');
select is(bot.html_escape('<a&b>'), '&lt;a&amp;b&gt;', 'html_escape escapes < & >');
select ok(bot.is_subscribed('restricted', true) and not bot.is_subscribed('restricted', false)
          and bot.is_subscribed('creator', null) and not bot.is_subscribed('left', null),
          'subscribed = creator, administrator, member, or restricted with is_member');

-- Nothing cached: the plan asks for both channels, to be resumed.
select is(jsonb_array_length(bot.handle_update(1, (select j from u))->'checks'), 2, 'an unknown user needs one check per channel');
select is(bot.handle_update(1, (select j from u))->>'resume', 'bot.resume_update', 'checks are resumed by bot.resume_update');

-- Answers: in A, not in B; then the group status (a plain member).
create temp table p1 as select bot.resume_update(1, bot.handle_update(1, (select j from u))->'state',
    '[{"chat_id": -1001, "user_id": 42, "status": "member", "latency_ms": 5},
      {"chat_id": -1002, "user_id": 42, "status": "left", "latency_ms": 6}]') as p;
select is((select p->'checks'->0->>'chat_id' from p1), '-500', 'a missing channel asks whether the user is a group admin');
create temp table p2 as select bot.resume_update(1, (select p->'state' from p1),
    '[{"chat_id": -500, "user_id": 42, "status": "member"}]') as p;
select is((select jsonb_agg(method order by id) from nezuko.bot_effects where source = 'update:10'),
          '["deleteMessage", "restrictChatMember", "sendMessage"]', 'mode both: delete, mute, prompt, as effects of the decision');
create temp table prompt as select params from nezuko.bot_effects where source = 'update:10' and method = 'sendMessage';
select ok((select params->>'text' like '%Channel B%' and params->>'text' not like '%Channel A%' from prompt),
          'the prompt names only the missing channel');
select ok((select params->>'text' like '%&lt;Eve&gt;%' from prompt), 'the user''s name is escaped');
select is((select params->'reply_markup'->'inline_keyboard'->-1->0->>'callback_data' from prompt), 'nzv:42',
          'the verify button is bound to the user');
select is((select count(*)::int from nezuko.verification_log where user_id = 42), 2, 'one verification_log row per channel');
select is((select muted::text || ':' || (muted_at is null)::text from nezuko.group_restrictions where group_id = -500 and user_id = 42),
          'true:true', 'the mute is recorded as an intent, not yet confirmed');
select is((select member_status from nezuko.membership_cache where channel_id = -1002 and user_id = 42), 'left', 'answers are cached');

-- The decision marked it processed: a redelivery does nothing.
select is(bot.handle_update(1, (select j from u)), '{"duplicate": true}', 'a redelivered update has no second effect');
-- Telegram's answers, one effect at a time, move the state.
create temp table e1 as select * from bot.claim_effects('t', array[1::bigint], 10);
create temp table e2 as select * from bot.report_effect((select id from e1), 't', '{"ok": true, "result": true}');
create temp table e3 as select * from bot.report_effect((select id from e2), 't', '{"ok": true, "result": true}');
select bot.report_effect((select id from e3), 't', '{"ok": true, "result": {"message_id": 900}}');
select is((select prompt_message_id from nezuko.group_restrictions where user_id = 42), 900::bigint, 'the prompt''s id is kept to delete it later');

select throws_ok($$select bot.handle_update(1, '{"message": {}}')$$, '22023', null, 'an update without update_id is refused with 22023');

select * from finish();
rollback;
