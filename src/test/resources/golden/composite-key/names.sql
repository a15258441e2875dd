-- prefix
cbm_generic_orders

-- like pattern
cbm\_generic\_orders\_%

-- replication slot
cbm_generic_orders_slot

-- publication
"cbm_generic_orders_pub"
