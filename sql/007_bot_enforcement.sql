-- Enforcement (the bot): what the bridge needs beyond the foundation's
-- tables: the group's default permissions (to unmute back to them), the
-- bot's own messages due for deletion, and a few tunables.

alter table nezuko.protected_groups
    add column default_permissions jsonb,
    add column default_permissions_at timestamptz;
comment on column nezuko.protected_groups.default_permissions is
    'The group''s default member permissions (getChat .permissions) as last fetched; an unmute restores exactly these, never "everything allowed".';
comment on column nezuko.protected_groups.default_permissions_at is
    'When default_permissions was fetched; older than group_permissions_ttl_seconds means fetch again before an unmute.';

-- The bot's own messages (prompts, command replies) to delete later: the
-- group's auto_delete_seconds setting. A row is claimed (deleted) by the
-- bridge when due, and removed early when the prompt is deleted on unmute.
create table nezuko.bot_scheduled_deletions (
    chat_id         bigint not null,
    message_id      bigint not null,
    bot_instance_id bigint not null references nezuko.bot_instances (id) on delete cascade,
    delete_at       timestamptz not null,
    primary key (chat_id, message_id)
);
create index bot_scheduled_deletions_due_idx on nezuko.bot_scheduled_deletions (bot_instance_id, delete_at);
comment on table nezuko.bot_scheduled_deletions is
    'Messages the bot posted that it must delete at delete_at (group setting auto_delete_seconds).';

comment on table nezuko.membership_cache is
    'Telegram''s answers to getChatMember(chat, user), kept for the positive or negative TTL of admin_config. chat is an enforced channel (subscription) or a protected group (is the user an admin there).';

insert into nezuko.admin_config (key, value, value_type, min_value, max_value, description) values
    ('group_permissions_ttl_seconds', '600', 'integer', 0, 86400,
     'How long a group''s default permissions (getChat) are trusted before an unmute fetches them again.'),
    ('prompt_repeat_seconds', '300', 'integer', 0, 86400,
     'A user already prompted in a group is not prompted again for this long (one prompt, not one per message).')
on conflict (key) do nothing;

alter table nezuko.group_restrictions add column prompted_at timestamptz;
comment on column nezuko.group_restrictions.prompted_at is
    'When the bot last posted a prompt for this user here; no second prompt within prompt_repeat_seconds (one prompt, not one per message).';
