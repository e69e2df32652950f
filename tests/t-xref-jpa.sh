#!/bin/sh
# The cross-check on JPA (Java) and Kotlin entities: @Table(name = ...),
# @Column(name = ...), @Entity with the default snake_case table; JPQL and
# native queries in strings.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE users (id bigint PRIMARY KEY, email text, email_verified bool);
CREATE TABLE billing_account (id bigint PRIMARY KEY, email text, owner text);'
mkdir -p r/src/main/java/app r/src/main/kotlin/app
cat >r/src/main/java/app/User.java <<'JAVA'
package app;

/** The email is unique. */
@Entity
@Table(name = "users")
public class User {
    @Column(name = "email", nullable = false)
    private String login;

    @Column(name = "email_verified")
    private boolean verified;
}
JAVA
cat >r/src/main/kotlin/app/BillingAccount.kt <<'KT'
package app

// owner of the account
@Entity
data class BillingAccount(
    @Id val id: Long,
    val email: String,
    @Column(name = "owner") val ownerName: String,
)

interface Repo {
    @Query(value = "SELECT u.email FROM users u WHERE u.id = ?1", nativeQuery = true)
    fun mail(id: Long): String
}
KT
commit_all r "app"
xref_migrate 'ALTER TABLE users DROP COLUMN email;
ALTER TABLE billing_account RENAME COLUMN owner TO owner_name;'
xref_check
expect_ref "@Column(name = \"email\") in @Table(name = \"users\")" "src/main/java/app/User.java:7:2"
expect_ref "a native query in Kotlin" "src/main/kotlin/app/BillingAccount.kt:12:3"
expect_ref "@Column(name = \"owner\") in the @Entity BillingAccount (billing_account)" "src/main/kotlin/app/BillingAccount.kt:8:2"
expect_no_ref "email_verified" "src/main/java/app/User.java:10:"
expect_no_ref "the javadoc" "src/main/java/app/User.java:3:"
expect_no_ref "BillingAccount.email is another table's" "src/main/kotlin/app/BillingAccount.kt:7:"
expect_no_ref "a comment" "src/main/kotlin/app/BillingAccount.kt:3:"
expect_eq "verdict users.email" "$(xref_verdict users.email)" "drop column no BLOCKER"
expect_eq "verdict of the rename" "$(xref_verdict billing_account.owner)" "rename column no BLOCKER"
finish
