-- prefix
cbm_chat_messages_v2

-- like pattern
cbm\_chat\_messages\_v2\_%
