-- bot.settings: a group's effective settings, its params over the defaults.
-- The defaults are the documented behaviour of a freshly protected group.
create function bot.settings(p_params jsonb) returns jsonb
language sql immutable parallel safe as $$
    select jsonb_build_object(
        'mode', 'mute',
        'mute_duration_seconds', 0,
        'verify_on_join', true,
        'join_request_gating', false,
        'fail_mode', 'open',
        'prompt_text', '{mention}, to write in {group} please join {channels} first, then press "I have joined".',
        'auto_delete_seconds', 0,
        'whitelist', '[]'::jsonb) || coalesce(p_params, '{}')
$$;
grant execute on function bot.settings(jsonb) to nezuko_bridge;
