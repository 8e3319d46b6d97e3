-- bot.enforce: the rule itself, for user p_user (a Telegram User object) in
-- group p_group. When a fact is missing it writes nothing and returns
-- {checks} (what bot.enforce_checks would ask: the channels not answered,
-- then the user's status in the group if a channel is missing, then the
-- group's permissions to unmute), so a caller deciding one user calls it
-- alone, without asking bot.enforce_checks first (one pass over the
-- settings and channels instead of two: the cache-hit message path).
-- Callers that decide several users at once ask bot.enforce_checks for all
-- of them first, so no user is decided twice. p_kind
-- says why we look:
--   message  a message was sent (p_message_id): delete and/or mute per mode
--   join     the user joined the group (verify_on_join): mute per mode
--   leave    the user left a linked channel: mute again (mode mute/both)
--   recheck  the user joined a linked channel: unmute if now subscribed
--   verify   the user pressed "I have joined": unmute if subscribed
-- Whether it applies at all is bot.enforced_settings. Then: group admins are
-- exempt (and not logged as restricted); a user no longer in the group is
-- neither muted nor prompted; a user an admin already restricted is not
-- muted by the bot (recorded as not muted, so the bot never lifts it).
-- The prompt goes to the topic p_thread of a forum group. The prompt of a
-- user the bot muted is never auto-deleted (they could not ask again).
-- Writes group_restrictions. Returns {calls, record, verified, exempt,
-- missing, verifications} or {checks}: once decided (not for an exempt
-- admin), verifications holds one verification_log row per channel, for
-- the entry point to write (bot.write_verifications).
create function bot.enforce(p_bot bigint, p_group bigint, p_user jsonb, p_answers jsonb, p_kind text,
                            p_message_id bigint, p_fresh boolean, p_thread bigint default null)
returns jsonb
language plpgsql as $$
declare
    v_uid bigint := (p_user->>'id')::bigint;
    s jsonb := bot.enforced_settings(p_bot, p_group, v_uid);
    r record;
    st jsonb;
    gst jsonb;
    gr nezuko.group_restrictions;
    v_checked jsonb := '[]';
    v_asks jsonb := '[]';
    v_missing jsonb := '[]';
    v_missing_ids bigint[] := '{}';
    v_calls jsonb := '[]';
    v_record jsonb := '[]';
    v_mode text;
    v_mute boolean;
    v_dur integer;
    v_until bigint := 0;
    v_prompt boolean;
    v_ver jsonb;
begin
    if s is null then
        return case when exists (select from nezuko.protected_groups
                                 where group_id = p_group and bot_instance_id = p_bot and enabled)
                    then '{"exempt": true}' else '{}' end;
    end if;
    v_mode := s->>'mode';
    for r in select c.* from nezuko.group_channel_links l join nezuko.enforced_channels c using (channel_id)
             where l.group_id = p_group order by c.channel_id loop
        st := bot.member_state(r.channel_id, v_uid, p_answers, p_fresh);
        if st ? 'unknown' then
            v_asks := v_asks || jsonb_build_object('chat_id', r.channel_id, 'user_id', v_uid, 'fresh', p_fresh);
            continue;
        end if;
        v_checked := v_checked || jsonb_build_object('channel_id', r.channel_id, 'st', st);
        if (st ? 'error' and s->>'fail_mode' = 'closed') or (not st ? 'error' and not (st->>'m')::boolean) then
            v_missing := v_missing || jsonb_build_object('id', r.channel_id,
                'title', coalesce(r.title, '@' || r.username, r.channel_id::text),
                'url', bot.channel_button_url(r.invite_link, r.username));
            v_missing_ids := v_missing_ids || r.channel_id;
        end if;
    end loop;
    if jsonb_array_length(v_asks) > 0 then
        return jsonb_build_object('checks', v_asks);
    end if;
    select * into gr from nezuko.group_restrictions where group_id = p_group and user_id = v_uid;

    if jsonb_array_length(v_missing) > 0 then
        -- Missing a channel. Never restrict an admin (the creator, an
        -- administrator) nor someone whose status we could not learn: a
        -- wrong mute is worse than a missed one. Neither is a failed check.
        gst := bot.member_state(p_group, v_uid, p_answers, false);
        if gst ? 'unknown' then
            return jsonb_build_object('checks', jsonb_build_array(jsonb_build_object('chat_id', p_group, 'user_id', v_uid)));
        end if;
        if gst ? 'error' or gst->>'s' in ('creator', 'administrator') then
            return jsonb_build_object('exempt', true, 'missing', v_missing);
        end if;
    elsif coalesce(gr.muted, false) and bot.group_permissions(p_group, p_answers) is null then
        -- To be unmuted: the group's default permissions first.
        return jsonb_build_object('checks', jsonb_build_array(jsonb_build_object('method', 'getChat', 'chat_id', p_group)));
    end if;
    -- Decided: one verification row per channel checked, returned with
    -- every answer from here on (written by the entry point).
    select case when count(*) > 0 then jsonb_build_object('verifications', jsonb_agg(jsonb_build_object(
               'user_id', v_uid, 'group_id', p_group, 'channel_id', (c->>'channel_id')::bigint,
               'status', case when c->'st' ? 'error' then 'error' when (c->'st'->>'m')::boolean then 'verified'
                              else 'restricted' end,
               'latency_ms', coalesce((c->'st'->>'latency')::int, 0),
               'cached', coalesce((c->'st'->>'cached')::boolean, false), 'error_type', c->'st'->>'error')))
           else '{}' end
    into v_ver
    from jsonb_array_elements(v_checked) c;

    if jsonb_array_length(v_missing) = 0 then
        if gr.user_id is not null then
            return bot.release(p_bot, p_group, v_uid, p_answers) || '{"verified": true}' || v_ver;
        end if;
        return jsonb_build_object('calls', v_calls, 'verified', true) || v_ver;
    end if;

    if p_kind in ('recheck', 'verify') then
        update nezuko.group_restrictions set missing_channels = v_missing_ids
        where group_id = p_group and user_id = v_uid;
        return jsonb_build_object('missing', v_missing) || v_ver;
    end if;
    if p_kind = 'message' and v_mode in ('delete', 'both') and p_message_id is not null then
        v_calls := v_calls || jsonb_build_object('method', 'deleteMessage', 'optional', true, 'params',
            jsonb_build_object('chat_id', p_group, 'message_id', p_message_id));
    end if;
    -- No longer in the group (left, kicked, or restricted and not a member):
    -- nobody to mute or to prompt.
    if not coalesce((gst->>'m')::boolean, false) then
        return jsonb_build_object('calls', v_calls, 'missing', v_missing) || v_ver;
    end if;
    if p_kind = 'leave' and v_mode = 'delete' then
        return v_ver; -- delete mode acts on messages only; the cache now says "not subscribed"
    end if;

    v_mute := v_mode in ('mute', 'both')
        and not coalesce(gr.muted and (gr.muted_until is null or gr.muted_until > now()), false)
        -- restricted by an admin, not by this bot: theirs to lift, not ours
        and not (gst->>'s' = 'restricted' and not coalesce(gr.muted, false));
    if v_mute then
        v_dur := (s->>'mute_duration_seconds')::int;
        if v_dur > 0 then
            v_until := extract(epoch from now())::bigint + v_dur;
        end if;
        v_record := v_record || jsonb_build_object('kind', 'mute', 'group_id', p_group, 'user_id', v_uid,
                                                   'call', jsonb_array_length(v_calls));
        v_calls := v_calls || jsonb_build_object('method', 'restrictChatMember', 'optional', true, 'params',
            jsonb_build_object('chat_id', p_group, 'user_id', v_uid, 'permissions', bot.mute_permissions(),
                               'use_independent_chat_permissions', true, 'until_date', v_until));
    end if;
    v_prompt := gr.user_id is null or gr.prompted_at is null
        or (gr.prompt_message_id is null
            and gr.prompted_at < now() - make_interval(secs => bot.config_int('prompt_repeat_seconds', 300)));
    if v_prompt then
        v_record := v_record || jsonb_build_object('kind', 'prompt', 'group_id', p_group, 'user_id', v_uid,
                                                   'call', jsonb_array_length(v_calls));
        if (s->>'auto_delete_seconds')::int > 0 and not v_mute and not coalesce(gr.muted, false) then
            v_record := v_record || jsonb_build_object('kind', 'autodelete', 'chat_id', p_group,
                'call', jsonb_array_length(v_calls), 'seconds', (s->>'auto_delete_seconds')::int);
        end if;
        v_calls := v_calls || bot.prompt_call(p_group, s->>'_title', s, p_user, v_missing, p_thread);
    end if;
    insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, muted, muted_until, missing_channels, prompted_at)
    values (p_group, v_uid, p_bot, v_mute, case when v_until > 0 then to_timestamp(v_until) end, v_missing_ids,
            case when v_prompt then now() end)
    on conflict (group_id, user_id) do update
    set bot_instance_id = excluded.bot_instance_id,
        muted = nezuko.group_restrictions.muted or excluded.muted,
        muted_until = case when excluded.muted then excluded.muted_until else nezuko.group_restrictions.muted_until end,
        missing_channels = excluded.missing_channels,
        prompted_at = coalesce(excluded.prompted_at, nezuko.group_restrictions.prompted_at);
    return jsonb_build_object('calls', v_calls, 'record', v_record, 'missing', v_missing) || v_ver;
end
$$;
grant execute on function bot.enforce(bigint, bigint, jsonb, jsonb, text, bigint, boolean, bigint) to nezuko_bridge;
