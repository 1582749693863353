      ****************************************************************
      * LICENSED MATERIALS - PROPERTY OF IBM
      * "RESTRICTED MATERIALS OF IBM"
      * (C) COPYRIGHT IBM CORPORATION 2022. ALL RIGHTS RESERVED
      * US GOVERNMENT USERS RESTRICTED RIGHTS - USE, DUPLICATION,
      * OR DISCLOSURE RESTRICTED BY GSA ADP SCHEDULE
      * CONTRACT WITH IBM CORPORATION
      ****************************************************************
      *
       01 SYSTEM-DATE-AND-TIME.
        05 CURRENT-DATE.
         10 CURRENT-YEAR        PIC 9(2).
         10 CURRENT-MONTH       PIC 9(2).
         10 CURRENT-DAY         PIC 9(2).
        05 CURRENT-TIME.
         10 CURRENT-HOUR        PIC 9(2).
         10 CURRENT-MINUTE      PIC 9(2).
         10 CURRENT-SECOND      PIC 9(2).
         10 CURRENT-HNDSEC      PIC 9(2).