@seed-004
Feature: Magento's Amazon Sales Channel imports Amazon orders into the store
  Merchant-fulfilled orders become store orders once Amazon has verified them; Amazon-fulfilled orders arrive
  already complete once Amazon has shipped them, if the order settings import them. The Orders tab shows each
  Amazon order once it is Unshipped, with the Magento order number beside it.

  Background:
    Given a seller connected with a refresh token
    And the seller's catalog has FBA and merchant-fulfilled listings
    And a store whose Amazon sales channel creates customers

  @F004-1 @client-python-amazon-sp-api
  Scenario: A Pending order is imported but not shown; at Unshipped it is shown with its details
    Given a buyer orders 1 unit of a merchant-fulfilled SKU
    When the sales channel syncs
    Then the order is imported but not shown, and no store order exists
    When Amazon has verified the payment
    And the sales channel syncs
    Then the order is shown with its price and buyer, and its store order is created

  @F004-1
  Scenario: The Orders tab shows Amazon's order number and status, and the Magento order number beside it
    Given a buyer orders 1 unit of a merchant-fulfilled SKU
    When the sales channel syncs
    Then the Orders tab lists no order
    When Amazon has verified the payment
    And the sales channel syncs
    Then the Orders tab lists the order with Amazon's status and the Magento order number of its store order

  @F004-2
  Scenario Outline: A new customer record, or a guest order, as configured
    Given the sales channel is set to <creation>
    And a buyer orders 1 unit of a merchant-fulfilled SKU
    When Amazon has verified the payment
    And the sales channel syncs
    Then the store order belongs to <owner>

    Examples:
      | creation             | owner            |
      | create customers     | a new customer   |
      | no customer creation | a guest          |

  @F004-3
  Scenario: Shipping in the store completes the order, ships it at Amazon and syncs tracking
    Given a buyer orders 1 unit of a merchant-fulfilled SKU
    And Amazon has verified the payment
    And the sales channel syncs
    When the store ships it with tracking number "1ZSTORE123"
    Then the store order is complete
    And Amazon holds the order as Shipped with tracking number "1ZSTORE123"
    And the store sent no e-mail: Amazon notifies the buyer

  @F004-4
  Scenario: FBA orders are imported only once Amazon shipped them, already complete
    Given a buyer orders 1 unit of an FBA SKU
    When Amazon has verified the payment
    And the sales channel syncs
    Then the FBA order is not imported
    When Amazon ships the FBA order
    And the sales channel syncs
    Then its store order is created already complete

  @F004-4
  Scenario Outline: The order settings decide whether a shipped FBA order becomes a store order
    Given FBA order import is switched <setting>
    And a buyer orders 1 unit of an FBA SKU
    When Amazon has verified the payment
    And Amazon ships the FBA order
    And the sales channel syncs
    Then the Orders tab lists the order with Amazon's status Shipped
    And <outcome>

    Examples:
      | setting | outcome                                         |
      | on      | its store order is created already complete     |
      | off     | no store order exists for it                    |
