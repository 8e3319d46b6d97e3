-- api.group_setting: one setting of the group settings registry.
create type api.group_setting as (
    name text,
    value_type text,
    default_value jsonb,
    allowed_values text[],
    min_value bigint,
    max_value bigint,
    description text
);
comment on type api.group_setting is 'A per-group setting (protected_groups.params): its type (enum, integer, boolean, text, id_list, language), default, allowed values (enum and language: the choices; integer: values allowed outside min..max), bounds and meaning.
@nullable allowed_values, min_value, max_value';
