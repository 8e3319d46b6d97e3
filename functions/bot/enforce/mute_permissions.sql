-- bot.mute_permissions: the ChatPermissions of a muted member (nothing may be sent).
create function bot.mute_permissions() returns jsonb
language sql immutable parallel safe as $$
    select jsonb_build_object(
        'can_send_messages', false, 'can_send_audios', false, 'can_send_documents', false,
        'can_send_photos', false, 'can_send_videos', false, 'can_send_video_notes', false,
        'can_send_voice_notes', false, 'can_send_polls', false, 'can_send_other_messages', false,
        'can_add_web_page_previews', false, 'can_change_info', false, 'can_invite_users', false,
        'can_pin_messages', false, 'can_manage_topics', false)
$$;
grant execute on function bot.mute_permissions() to nezuko_bridge;
