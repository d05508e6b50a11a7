// Camunda Identity's visible words: owner types by name, resource types in sentence case,
// permissions by their enum names.

export const OWNER_TYPES = [
  { value: 'USER', label: 'User' },
  { value: 'GROUP', label: 'Group' },
  { value: 'ROLE', label: 'Role' },
  { value: 'CLIENT', label: 'Client' },
  { value: 'MAPPING_RULE', label: 'Mapping rule' },
];

// BASIC mode has no clients and no mapping rules (nobody presents a token), so, as Camunda's
// Identity does, the console offers neither there.
export function ownerTypesFor(mode) {
  return mode === 'BASIC'
    ? OWNER_TYPES.filter((o) => o.value !== 'CLIENT' && o.value !== 'MAPPING_RULE')
    : OWNER_TYPES;
}

export function ownerTypeLabel(value) {
  return OWNER_TYPES.find((o) => o.value === value)?.label ?? value;
}

export function resourceTypeLabel(type) {
  const words = type.toLowerCase().split('_');
  return [words[0][0].toUpperCase() + words[0].slice(1), ...words.slice(1)].join(' ');
}
