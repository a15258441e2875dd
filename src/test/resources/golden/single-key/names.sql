-- prefix
cbm_chat_messages_v2

-- like pattern
cbm\_chat\_messages\_v2\_%

-- replication slot
cbm_chat_messages_v2_slot_16384

-- publication
"cbm_chat_messages_v2_pub"
