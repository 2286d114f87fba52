@seed-004
Feature: Magento's Amazon Sales Channel imports Amazon orders into the store
  Merchant-fulfilled orders become store orders once Amazon has verified them; Amazon-fulfilled orders arrive
  already complete once Amazon has shipped them.

  Background:
    Given a seller connected with a refresh token
    And the seller's catalog has FBA and merchant-fulfilled listings
    And a store whose Amazon sales channel creates customers

  @F004-1
  Scenario: A Pending order is imported but not shown; at Unshipped it is shown with its details
    Given a buyer orders a merchant-fulfilled SKU on Amazon
    When the sales channel syncs
    Then the order is imported but not shown, and no store order exists
    When Amazon verifies the payment and the sales channel syncs again
    Then the order is shown with its price and buyer, and its store order is created

  @F004-2
  Scenario Outline: A new customer record, or a guest order, as configured
    Given the sales channel is set to <creation>
    And a buyer orders a merchant-fulfilled SKU on Amazon
    When Amazon verifies the payment and the sales channel syncs again
    Then the store order belongs to <owner>

    Examples:
      | creation             | owner            |
      | create customers     | a new customer   |
      | no customer creation | a guest          |

  @F004-3
  Scenario: Shipping in the store completes the order, ships it at Amazon and syncs tracking
    Given a buyer orders a merchant-fulfilled SKU on Amazon
    And Amazon verifies the payment and the sales channel syncs again
    When the store ships it with tracking number "1ZSTORE123"
    Then the store order is complete
    And Amazon holds the order as Shipped with tracking number "1ZSTORE123"
    And the store sent no e-mail: Amazon notifies the buyer

  @F004-4
  Scenario: FBA orders are imported only once Amazon shipped them, already complete
    Given a buyer orders an FBA SKU on Amazon
    When Amazon verifies the payment and the sales channel syncs again
    Then the FBA order is not imported
    When Amazon ships it and the sales channel syncs again
    Then its store order is created already complete
