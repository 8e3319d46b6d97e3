-- Enforcement rules as pure decisions: an update (or answers) in, a
-- partial decision out (bot.decide's handlers), nothing sent.
begin;
select plan(18);

insert into nezuko.bot_instances (id, bot_user_id, username, token_encrypted, token_sha256)
overriding system value values (1, 99, 'tbot', 'sealed', sha256('t'));
insert into nezuko.enforced_channels (channel_id, username, title) values (-1001, 'chan_a', 'Channel A');
insert into nezuko.protected_groups (group_id, bot_instance_id, title, params, linked_chat_id, linked_chat_checked_at)
values (-500, 1, 'G', '{"mode": "mute", "whitelist": [-777, 55]}', -900, now());
insert into nezuko.group_channel_links values (-500, -1001);

create function pg_temp.msg(p_extra jsonb) returns jsonb language sql as $$
    select '{"message_id": 7, "text": "hi", "chat": {"id": -500, "type": "supergroup"},
             "from": {"id": 42, "is_bot": false, "first_name": "Eve"}}'::jsonb || p_extra
$$;
create function pg_temp.as_chat(p_chat bigint) returns jsonb language sql as $$
    select pg_temp.msg(jsonb_build_object('from', '{"id": 136817688, "is_bot": true, "first_name": "Channel"}'::jsonb,
                                          'sender_chat', jsonb_build_object('id', p_chat, 'type', 'channel')))
$$;

-- Item 16: one rule says whether enforcement applies.
select ok(bot.enforced_settings(1, -500, 42) is not null, 'a member of an enabled group is enforced');
select ok(bot.enforced_settings(1, -500, 55) is null and bot.enforced_settings(1, -500, 99) is null
          and bot.enforced_settings(2, -500, 42) is null,
          'not for a whitelisted user, the bot itself, or another bot''s group');

-- Item 1: the sender_chat gate.
select is(bot.on_message(1, pg_temp.as_chat(-500), '[]'), '{}', 'the group itself (anonymous admin) is exempt');
select is(bot.on_message(1, pg_temp.as_chat(-900), '[]'), '{}', 'the linked discussion channel is exempt');
select is(bot.on_message(1, pg_temp.as_chat(-777), '[]'), '{}', 'a whitelisted channel is exempt');
select is(jsonb_path_query_array(bot.on_message(1, pg_temp.as_chat(-123), '[]'), '$.calls[*].method'),
          '["deleteMessage"]', 'any other chat: its message deleted, even in mute mode, no one muted');
update nezuko.protected_groups set params = params || '{"sender_chat_action": "ban"}';
select is(bot.on_message(1, pg_temp.as_chat(-123), '[]')->'calls'->1,
          '{"method": "banChatSenderChat", "optional": true, "params": {"chat_id": -500, "sender_chat_id": -123}}',
          'sender_chat_action ban: the chat is banned too');
update nezuko.protected_groups set linked_chat_checked_at = null;
select is(bot.on_message(1, pg_temp.as_chat(-123), '[]')->'checks',
          '[{"method": "getChat", "chat_id": -500}]', 'an unknown linked chat is asked first');
update nezuko.protected_groups set params = params - 'sender_chat_action', linked_chat_checked_at = now();

-- Item 4: an edited command is an ordinary message.
select is(bot.on_message(1, pg_temp.msg('{"text": "/status", "edit_date": 1}'), '[]')->'checks',
          '[{"chat_id": -1001, "user_id": 42, "fresh": false}]', 'an edited /status is checked like a message, not run');

-- Item 2: joined service messages start the join check.
select is(bot.on_message(1, pg_temp.msg('{"new_chat_members": [{"id": 43, "is_bot": false, "first_name": "N"}]}') - 'text', '[]')->'checks',
          '[{"chat_id": -1001, "user_id": 43, "fresh": false}]', 'a new member in new_chat_members is checked');

-- Item 3: an admin is exempt and not logged.
select is(bot.enforce(1, -500, '{"id": 44}', '[{"chat_id": -1001, "user_id": 44, "status": "left"},
                                               {"chat_id": -500, "user_id": 44, "status": "administrator"}]',
                      'message', 8, false)->>'exempt', 'true', 'an administrator missing a channel is exempt');
select ok(not bot.enforce(1, -500, '{"id": 44}', '[{"chat_id": -1001, "user_id": 44, "status": "left"},
                                                   {"chat_id": -500, "user_id": 44, "status": "administrator"}]',
                          'message', 8, false) ? 'verifications', 'and not logged as restricted (no verification rows)');

-- Item 5: restricted by an admin: not muted by the bot, recorded as not muted.
select is(jsonb_path_query_array(bot.enforce(1, -500, '{"id": 45, "first_name": "R"}',
              '[{"chat_id": -1001, "user_id": 45, "status": "left"},
                {"chat_id": -500, "user_id": 45, "status": "restricted", "is_member": true}]', 'message', 9, false),
              '$.calls[*].method'), '["sendMessage"]', 'a member an admin restricted is prompted, not muted');
select is((select muted from nezuko.group_restrictions where user_id = 45), false, 'the bot records it did not mute');

-- Item 8: not in the group any more: neither muted nor prompted.
select is(bot.enforce(1, -500, '{"id": 46}', '[{"chat_id": -1001, "user_id": 46, "status": "left"},
                                               {"chat_id": -500, "user_id": 46, "status": "restricted", "is_member": false}]',
                      'join', null, false)->'calls', '[]', 'no prompt for someone restricted and no longer a member');

-- Item 7: disabling a group releases everyone the bot restricted, as effects.
insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, muted, prompt_message_id) values (-500, 47, 1, true, 901);
update nezuko.protected_groups set default_permissions = '{"can_send_messages": true}', default_permissions_at = now() - interval '1 day';
update nezuko.protected_groups set enabled = false where group_id = -500;
select is((select jsonb_agg(jsonb_build_object('method', method, 'user_id', params->'user_id', 'perms', params->'permissions') order by id)
           from nezuko.bot_effects where source = 'group_disabled:-500' and (params->>'user_id' = '47' or params->>'message_id' = '901')),
          '[{"method": "restrictChatMember", "user_id": 47, "perms": {"can_send_messages": true}},
            {"method": "deleteMessage", "user_id": null, "perms": null}]',
          'disabling a group unmutes to its stored default permissions and deletes the prompt, as effects');
select is((select count(*)::int from nezuko.group_restrictions where group_id = -500), 0, 'and forgets every restriction there');

-- Reinstalling the code packages must not lose the params CHECK (it lives in schema nezuko).
select ok(exists (select from pg_constraint where conrelid = 'nezuko.protected_groups'::regclass and contype = 'c'
                  and pg_get_constraintdef(oid) like '%check_group_params%'), 'the params CHECK is in place');

select * from finish();
rollback;
