-- prefix
cbm_generic_orders

-- like pattern
cbm\_generic\_orders\_%

-- replication slot
cbm_generic_orders_slot_16384

-- publication
"cbm_generic_orders_pub"
