-- The gate for messages sent as a chat (sender_chat) needs the group's
-- linked discussion channel: its posts are exempt, any other channel's are
-- not. Telegram says which it is in getChat (linked_chat_id).

alter table nezuko.protected_groups
    add column linked_chat_id bigint,
    add column linked_chat_checked_at timestamptz;
comment on column nezuko.protected_groups.linked_chat_id is
    'The channel linked to this group for discussion (getChat .linked_chat_id), whose posts appear here and are never gated; null: none.';
comment on column nezuko.protected_groups.linked_chat_checked_at is
    'When linked_chat_id was read from getChat; null or older than a day: read again before gating a message sent as a chat.';
