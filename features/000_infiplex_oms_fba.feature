@seed-000
Feature: An order-management system sends its FBA SKUs to Amazon for fulfilment
  The OMS learns which SKUs are FBA SKUs. Amazon.com orders of FBA SKUs need nothing; orders from the webstore,
  eBay or Groupon have their FBA SKUs packaged and sent to FBA, and Amazon's answer comes back as a note: a
  tracking number ships the package, an error leaves it for a person. Every scenario also runs against a live
  mock (--mock-url).

  Background:
    Given an OMS connected to the seller's Amazon account, with FBA enabled
    And Amazon ships each multi-channel order in one shipment

  @F000-1 @client-python-amazon-sp-api
  Scenario: With FBA enabled the OMS pulls the FBA SKU list and the inventory levels
    When the OMS pulls FBA inventory
    Then it knows every FBA SKU of the seller, and no merchant-fulfilled SKU
    When a buyer orders 2 units of an FBA SKU
    And the OMS pulls FBA inventory
    Then the OMS shows 2 fewer fulfillable units of the ordered SKU

  @F000-1
  Scenario: With FBA disabled it pulls nothing
    Given the setting amazon_fba_enabled is no
    When the OMS pulls FBA inventory
    Then it knows no FBA SKU, and it made no call to Amazon

  @F000-2
  Scenario: An Amazon.com order of FBA SKUs needs no action
    Given the OMS pulled FBA inventory
    And a buyer orders 1 unit of an FBA SKU
    And Amazon has verified the payment
    When the OMS imports Amazon orders
    Then the order is in the OMS with no package and a note that Amazon fulfils it
    And Amazon holds no multi-channel fulfillment orders

  @F000-3 @F000-4
  Scenario: A webstore order's FBA SKU goes to FBA and comes back with tracking
    Given the OMS pulled FBA inventory
    And a webstore customer orders 1 unit of an FBA SKU
    When the OMS sends its FBA packages
    Then the order has one package, flagged FBA and sent to FBA, and a note saying it was sent
    And Amazon holds one multi-channel fulfillment order, for that package
    When Amazon ships the multi-channel orders
    And the OMS collects FBA's answers
    Then the package carries Amazon's tracking number and the order is fully shipped
    And a note records Amazon's tracking number
    And the customer was e-mailed the tracking number

  @F000-4
  Scenario: With auto-send off, the shipped e-mail waits for a person
    Given the OMS pulled FBA inventory
    And the setting auto_send_un_sent_tracking_emails is no
    And a webstore customer orders 1 unit of an FBA SKU
    When the OMS sends its FBA packages
    And Amazon ships the multi-channel orders
    And the OMS collects FBA's answers
    Then no e-mail was sent, and one waits to be sent
    When a person sends the un-sent tracking e-mails
    Then the customer was e-mailed the tracking number

  @F000-5
  Scenario: FBA answers with an error: a note, an unshipped package, manual intervention
    Given the OMS pulled FBA inventory
    And Amazon cannot fulfil multi-channel orders
    And a webstore customer orders 1 unit of an FBA SKU
    When the OMS sends its FBA packages
    And Amazon plans the multi-channel orders
    And the OMS collects FBA's answers
    Then the package stays unshipped, with FBA's error in a note
    And the order needs manual intervention

  @F000-5 @F000-7
  Scenario Outline: A customer's cancellation is no FBA error: the package and the order are cancelled, the channel told
    Given the OMS pulled FBA inventory
    And a <marketplace> customer orders 1 unit of an FBA SKU
    When the OMS sends its FBA packages
    And the seller cancels the multi-channel orders at Amazon, as the customer asked
    And the OMS collects FBA's answers
    Then Amazon holds every multi-channel fulfillment order as Cancelled
    And the package is cancelled and the order is cancelled, with Amazon's answer in a note
    And the order does not need manual intervention, and no e-mail was sent
    And <marketplace> <told>

    Examples:
      | marketplace | told                                   |
      | ebay        | was told its order is cancelled        |
      | webstore    | has no channel to tell                 |

  @F000-5 @F000-8
  Scenario: A package FBA did not ship is re-created and shipped through WorldShip
    Given the OMS pulled FBA inventory
    And Amazon cannot fulfil multi-channel orders
    And a webstore customer orders 1 unit of an FBA SKU
    When the OMS sends its FBA packages
    And Amazon plans the multi-channel orders
    And the OMS collects FBA's answers
    And a person deletes and re-creates the package
    Then the WorldShip export lists that package
    When WorldShip's tracking number "1ZWORLDSHIP01" is uploaded for it
    Then the order is fully shipped and the customer was e-mailed "1ZWORLDSHIP01"

  @F000-3
  Scenario: A failing or throttled call is retried without sending a package twice
    Given the OMS pulled FBA inventory
    And Amazon fails the next 2 createFulfillmentOrder calls with 503
    And Amazon allows createFulfillmentOrder one call every 60 seconds
    And 3 webstore customers order 1 unit of an FBA SKU each
    When the OMS sends its FBA packages
    Then Amazon holds 3 multi-channel fulfillment orders
    And each package is on one of them, sent once
    And Amazon answered some calls with 503 and throttled some

  @F000-6
  Scenario: An order mixing FBA and non-FBA SKUs is split into an FBA package and an ordinary one
    Given the OMS pulled FBA inventory
    And a webstore customer orders an FBA SKU and a merchant-fulfilled SKU
    Then the order has two packages: one flagged FBA with the FBA SKU, one ordinary with the other SKU
    When the OMS sends its FBA packages
    Then Amazon's fulfillment order holds only the FBA SKU

  @F000-7
  Scenario Outline: Orders from other marketplaces follow the webstore flow and get their tracking back
    Given the OMS pulled FBA inventory
    And a <marketplace> customer orders 1 unit of an FBA SKU
    When the OMS sends its FBA packages
    And Amazon ships the multi-channel orders
    And the OMS collects FBA's answers
    Then <marketplace> was sent the tracking number for its order
    And the order is fully shipped

    Examples:
      | marketplace |
      | ebay        |
      | groupon     |

  @F000-8
  Scenario: The WorldShip export holds neither Amazon.com FBA orders nor FBA packages
    Given the OMS pulled FBA inventory
    And a buyer orders 1 unit of an FBA SKU
    And Amazon has verified the payment
    And a webstore customer orders an FBA SKU and a merchant-fulfilled SKU
    When the OMS imports Amazon orders
    Then the WorldShip export lists only the webstore order's ordinary package

  @F000-8
  Scenario: The WorldShip export needs auto_create_package_on_order
    Given the setting auto_create_package_on_order is no
    And the OMS pulled FBA inventory
    And a webstore customer orders an FBA SKU and a merchant-fulfilled SKU
    Then the order has only its FBA package
    And the WorldShip export is refused, naming auto_create_package_on_order

  @F000-9
  Scenario Outline: After removing FBA no SKU is treated as FBA
    Given the OMS pulled FBA inventory
    When FBA is removed <how>
    Then a webstore order of a former FBA SKU gets an ordinary package and nothing goes to FBA
    And pulling FBA inventory again pulls nothing
    And the Amazon keys are <keys>

    Examples:
      | how                             | keys    |
      | keeping the Amazon connection   | kept    |
      | together with Amazon entirely   | removed |
