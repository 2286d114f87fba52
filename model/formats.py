"""Amazon's flat-file templates: written by the integration, read by the mock, defined once."""

# Flat file: multi-channel fulfillment order request (POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA)
MCF_COLUMNS = ("MerchantFulfillmentOrderID", "DisplayableOrderID", "DisplayableOrderDate", "MerchantSKU", "Quantity",
               "MerchantFulfillmentOrderItemID", "GiftMessage", "DisplayableComment", "PerUnitDeclaredValue",
               "DisplayableOrderComment", "DeliverySLA", "AddressName", "AddressFieldOne", "AddressFieldTwo",
               "AddressFieldThree", "AddressCity", "AddressCountryCode", "AddressStateOrRegion", "AddressPostalCode",
               "AddressPhoneNumber", "NotificationEmail", "FulfillmentAction", "FulfillmentPolicy", "MarketplaceID")
MCF_REQUIRED = ("MerchantFulfillmentOrderID", "MerchantSKU", "Quantity", "MerchantFulfillmentOrderItemID",
                "DeliverySLA", "AddressName", "AddressFieldOne", "AddressCountryCode", "AddressPostalCode")

# Flat file: order fulfillment, i.e. tracking for merchant-fulfilled orders (POST_FLAT_FILE_FULFILLMENT_DATA)
TRACKING_COLUMNS = ("order-id", "order-item-id", "quantity", "ship-date", "carrier-code", "carrier-name",
                    "tracking-number", "ship-method")
TRACKING_REQUIRED = ("order-id", "order-item-id", "quantity", "ship-date", "carrier-code", "tracking-number")
